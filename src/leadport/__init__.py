"""leadport: lead imports you can trust and undo."""
