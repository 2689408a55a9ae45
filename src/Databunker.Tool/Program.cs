using Databunker.Tool;

// Ctrl-C cancels the running command (System.CommandLine passes the token on); the exit code says how it ended.
return await DatabunkerTool.RunAsync(args, Console.Out, Console.Error, terminal: !Console.IsOutputRedirected, CancellationToken.None).ConfigureAwait(false);
