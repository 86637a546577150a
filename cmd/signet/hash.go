package main

import "github.com/urfave/cli/v2"

// hashCommand is a placeholder until the command lands.
func hashCommand(e *env) *cli.Command {
	return &cli.Command{Name: "hash", Hidden: true, Action: func(*cli.Context) error { return usagef("not implemented yet") }}
}
