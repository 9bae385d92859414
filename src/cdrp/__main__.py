from cdrp.cli import main

raise SystemExit(main())
