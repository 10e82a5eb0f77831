//go:build race

package devdb

// raceDetector: the race detector slows everything several times, so
// measurements skip.
const raceDetector = true
