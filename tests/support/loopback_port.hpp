#pragma once

namespace ticketwatch::testing {

// A loopback TCP port nobody listens on right now: bound to port 0, read back, released. Tests
// give it to a daemon's metrics listener so that parallel tests never collide on a fixed port.
unsigned short unused_loopback_port();

}  // namespace ticketwatch::testing
