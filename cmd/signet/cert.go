package main

import "github.com/urfave/cli/v2"

// certCommand is a placeholder until the command lands.
func certCommand(e *env) *cli.Command {
	return &cli.Command{Name: "cert", Hidden: true, Action: func(*cli.Context) error { return usagef("not implemented yet") }}
}
