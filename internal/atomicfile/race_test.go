//go:build race

package atomicfile

// raceEnabled: the race detector changes what the heap holds, so memory bounds are not checked.
const raceEnabled = true
