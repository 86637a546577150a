//go:build !race

package verify

const namesRaceEnabled = false
