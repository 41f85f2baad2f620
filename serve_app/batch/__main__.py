from serve_app.batch.cli import main

raise SystemExit(main())
