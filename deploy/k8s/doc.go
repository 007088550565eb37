// Package k8s holds Perfloop's Kubernetes manifests (the YAML files beside
// this one). It has no code: its test holds the manifests to what the
// binary does (grace periods above its stop timeouts, probes on the ports
// and paths it serves); CI validates their schema with kubeconform.
package k8s
