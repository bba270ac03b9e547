using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Cofi.Cli.Tests.Support;

/// <summary>The real <c>cofi</c> from the build output, run as an operator's shell would: arguments, environment, exit code, output.</summary>
public static class CofiCommand
{
    public static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    public static string Dll => Path.Combine(AppContext.BaseDirectory, "cofi.dll");

    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public JsonElement Json => JsonDocument.Parse(Stdout).RootElement;

        /// <summary>Each line of a stream printed with --json, parsed.</summary>
        public IReadOnlyList<JsonElement> JsonLines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();

        public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
    }

    public static async Task<Result> RunAsync(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        using var process = Start(environment, args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Patience);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"cofi {string.Join(" ", args)} did not end within {Patience}: {await stdout}{await stderr}");
        }
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>A cofi that runs on (a stream it follows), its output collected as it comes.</summary>
    public static Running Follow(IReadOnlyDictionary<string, string>? environment, params string[] args) => new(Start(environment, args));

    private static Process Start(IReadOnlyDictionary<string, string>? environment, string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        info.ArgumentList.Add(Dll);
        foreach (var arg in args) info.ArgumentList.Add(arg);
        info.Environment.Remove("COFI_API_TOKEN");
        info.Environment.Remove("COFI_ADDRESS");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) info.Environment[key] = value;
        return Process.Start(info)!;
    }

    public sealed class Running : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _stdout = new();

        public Running(Process process)
        {
            _process = process;
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_stdout) _stdout.AppendLine(e.Data); };
            process.BeginOutputReadLine();
        }

        public string Stdout { get { lock (_stdout) return _stdout.ToString(); } }

        public bool HasExited => _process.HasExited;

        public void Dispose()
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.Dispose();
        }
    }
}
