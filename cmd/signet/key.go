package main

import "github.com/urfave/cli/v2"

// keyCommand is a placeholder until the command lands.
func keyCommand(e *env) *cli.Command {
	return &cli.Command{Name: "key", Hidden: true, Action: func(*cli.Context) error { return usagef("not implemented yet") }}
}
