return await Cofi.Cli.CofiCli.RunAsync(args);
