return await GanNotebooks.Runner.Cli.RunAsync(args);
