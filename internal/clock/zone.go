package clock

import (
	"sync"
	"time"
)

// zones remembers the zones loaded by name: time.LoadLocation reads and
// parses the zone's file every time, and every clock view asks for its zone.
var zones sync.Map // string → *time.Location

// LoadZone is time.LoadLocation, remembered per name; a failure is not remembered.
func LoadZone(name string) (*time.Location, error) {
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	zones.Store(name, loc)
	return loc, nil
}
