package main

import "github.com/urfave/cli/v2"

// tokenCommand is a placeholder until the command lands.
func tokenCommand(e *env) *cli.Command {
	return &cli.Command{Name: "token", Hidden: true, Action: func(*cli.Context) error { return usagef("not implemented yet") }}
}
