// report page: filled in by the browser work
