// Package offheap gives memory that is not on Go's heap, for sets that a run holds only
// briefly and whose size grows with the number of files (sign's and verify's 8 bytes a name
// while their checks run, issue 15). On Go's heap, 8 MB of such words at a million files also
// let the collector grow the heap by about as much again before it runs (sign then peaked at
// 38 MiB against 28 MiB with the words mapped); mapped, they go back to the system as soon as
// they are freed.
package offheap
