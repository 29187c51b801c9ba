"""siyu's configuration: settings, example file, default data."""
