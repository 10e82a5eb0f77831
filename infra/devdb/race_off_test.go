//go:build !race

package devdb

const raceDetector = false
