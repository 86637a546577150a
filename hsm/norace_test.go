//go:build !race

package hsm

const raceEnabled = false
