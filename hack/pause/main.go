// The rig's pod sandbox ("pause") image: holds a pod's namespaces until the runtime stops it.
// Upstream's pause is a C program built into a registry image; the rig has no registry, so it builds this
// static equivalent and imports it under the name containerd pins as its sandbox image.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	<-stop
}
