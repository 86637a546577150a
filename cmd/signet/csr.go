package main

import "github.com/urfave/cli/v2"

// csrCommand is a placeholder until the command lands.
func csrCommand(e *env) *cli.Command {
	return &cli.Command{Name: "csr", Hidden: true, Action: func(*cli.Context) error { return usagef("not implemented yet") }}
}
