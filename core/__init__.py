"""The kernel: domain rules and infrastructure, with no Flask and no translated words.

Each subpackage is one part of the work; see docs/development.md, "Layers and packages"."""
