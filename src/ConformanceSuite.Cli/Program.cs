using ConformanceSuite.Cli;

return await CliApp.RunAsync(args, Console.Out, Console.Error);
