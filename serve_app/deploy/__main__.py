from serve_app.deploy.cli import main

raise SystemExit(main())
