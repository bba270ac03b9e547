using Cofi.Cli.Commands;
using Cofi.Cli.Connection;

namespace Cofi.Cli.Interactive;

/// <summary>
/// <c>cofi HOST:PORT</c>: the prompt <c>[HOST:PORT] cofi&gt;</c>, where each line is a verb (as after
/// <c>cofi HOST:PORT</c>) or <c>help</c>, <c>history</c>, <c>clear</c>, <c>exit</c>. An error ends the line's command,
/// not the prompt; Ctrl+C ends a command that follows a stream. Lines from a pipe are run one by one.
/// </summary>
public sealed class Prompt(ApiClient api, Catalog catalog, GlobalOptions session, Interrupt interrupt)
{
    public async Task<int> RunAsync()
    {
        var history = new History(History.DefaultFile(Environment.GetEnvironmentVariable));
        var completer = new Completer(api, catalog);
        var terminal = !Console.IsInputRedirected && !Console.IsOutputRedirected;
        var editor = new LineEditor(history, line => completer.CandidatesAsync(line, interrupt.Renew()));
        var prompt = $"[{api.Target.Display}] cofi> ";
        if (terminal) Console.WriteLine($"connected to {catalog.Node} ({string.Join(", ", catalog.Palettes.Select(p => p.Name))}); help lists the verbs, exit leaves");
        var last = ExitCodes.Ok;
        while (true)
        {
            var line = terminal ? await editor.ReadLineAsync(prompt) : await Console.In.ReadLineAsync();
            if (line is null) return last;
            line = line.Trim();
            if (line.Length == 0) continue;
            if (terminal) history.Add(line);
            switch (line)
            {
                case "exit" or "quit":
                    return last;
                case "history":
                    for (var i = 0; i < history.Lines.Count; i++) Console.WriteLine($"{i + 1,5}  {history.Lines[i]}");
                    continue;
                case "clear":
                    Console.Write("\x1b[2J\x1b[H");
                    continue;
            }
            last = await RunLineAsync(line);
        }
    }

    private async Task<int> RunLineAsync(string line)
    {
        try
        {
            var (options, words) = GlobalOptions.Extract(Words.Split(line));
            options = options with { Json = options.Json || session.Json, Yes = options.Yes || session.Yes, Reason = options.Reason ?? session.Reason };
            interrupt.Renew();
            return await CofiCli.OneShotAsync(api, catalog, options, words, interrupt);
        }
        catch (CliException e)
        {
            await Console.Error.WriteLineAsync($"cofi: {e.Message}");
            return e.ExitCode;
        }
        catch (OperationCanceledException)
        {
            return ExitCodes.Ok;
        }
    }
}
