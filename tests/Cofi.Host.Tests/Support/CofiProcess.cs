using System.Diagnostics;
using System.Text;

namespace Cofi.Host.Tests.Support;

/// <summary>A real Cofi.Host process, started from the build output, with its output captured.</summary>
public sealed class CofiProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly bool _underTerminal;

    private CofiProcess(Process process, bool underTerminal = false)
    {
        _process = process;
        _underTerminal = underTerminal;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_stdout) _stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_stderr) _stderr.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public static string HostDll => Path.Combine(AppContext.BaseDirectory, "Cofi.Host.dll");

    public string Stdout { get { lock (_stdout) return _stdout.ToString(); } }

    public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }

    public int Id => _process.Id;

    /// <summary>The Cofi.Host process itself: under a terminal, the child of <c>script</c>; otherwise <see cref="Id"/>.</summary>
    public int HostId => _underTerminal ? TerminalChild() : _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>
    /// Lighthouse from its own build output (…/Cofi.Lighthouse/bin/{configuration}/{framework}/), with its own
    /// dependencies: the copy beside the tests lacks the hosting assemblies that ASP.NET Core's shared framework
    /// provides to Cofi.Host but not to Lighthouse.
    /// </summary>
    public static string LighthouseDll
    {
        get
        {
            var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var framework = output.Name;
            var configuration = output.Parent!.Name;
            var root = output;
            while (root is not null && !File.Exists(Path.Combine(root.FullName, "Cofi.Actors.sln"))) root = root.Parent;
            if (root is null) throw new InvalidOperationException($"no Cofi.Actors.sln above {AppContext.BaseDirectory}");
            return Path.Combine(root.FullName, "Cofi.Lighthouse", "bin", configuration, framework, "Cofi.Lighthouse.dll");
        }
    }

    public static CofiProcess Start(params string[] args) => StartDll(HostDll, new Dictionary<string, string>(), args);

    public static CofiProcess StartDll(string dll, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        info.ArgumentList.Add(dll);
        foreach (var arg in args) info.ArgumentList.Add(arg);
        info.Environment.Remove("COFI_DB");
        // Processes of other test runs may hold the default dashboard and management ports.
        info.Environment["COFI_WEB_PORT"] = "0";
        info.Environment["COFI_MANAGEMENT_PORT"] = "0";
        foreach (var (key, value) in environment) info.Environment[key] = value;
        return new CofiProcess(Process.Start(info)!);
    }

    /// <summary>
    /// Cofi.Host on a pseudo-terminal (util-linux <c>script</c>), the way an operator runs it: it draws its progress
    /// bars. Standard output is what the terminal showed, escape sequences included; the exit code is Cofi.Host's.
    /// </summary>
    public static CofiProcess StartUnderTerminal(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var info = new ProcessStartInfo("script") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        // exec: the shell script starts becomes Cofi.Host, so that a signal to script's child reaches it.
        var command = "exec " + string.Join(" ", new[] { "dotnet", HostDll }.Concat(args).Select(a => "'" + a.Replace("'", "'\\''") + "'"));
        foreach (var arg in new[] { "--quiet", "--flush", "--return", "--command", command, "/dev/null" }) info.ArgumentList.Add(arg);
        info.Environment.Remove("COFI_DB");
        info.Environment["COFI_WEB_PORT"] = "0";
        info.Environment["COFI_MANAGEMENT_PORT"] = "0";
        info.Environment["TERM"] = "xterm";
        foreach (var (key, value) in environment) info.Environment[key] = value;
        return new CofiProcess(Process.Start(info)!, underTerminal: true);
    }

    /// <summary>SIGTERM: the polite stop an orchestrator sends first.</summary>
    public void Terminate() => Signal("TERM");

    /// <summary>SIGINT, what Ctrl+C in a terminal sends.</summary>
    public void Interrupt() => Signal("INT");

    private void Signal(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", HostId.ToString()])!;
        kill.WaitForExit();
    }

    private int TerminalChild()
    {
        var children = $"/proc/{_process.Id}/task/{_process.Id}/children";
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            if (File.Exists(children) && File.ReadAllText(children).Split(' ', StringSplitOptions.RemoveEmptyEntries) is [var child, ..]) return int.Parse(child);
            if (_process.HasExited || DateTime.UtcNow > deadline) throw new InvalidOperationException($"script started no Cofi.Host\n{Stdout}\n{Stderr}");
            Thread.Sleep(20);
        }
    }

    /// <summary>The dashboard's address, from the line <c>serve</c> prints once it listens.</summary>
    public async Task<string> DashboardAddressAsync(TimeSpan patience)
    {
        var line = new System.Text.RegularExpressions.Regex(@"dashboard (http://\S+?)/ ");
        await Poll.UntilAsync(() => Task.FromResult(Stdout), s => line.IsMatch(s) || HasExited, "the dashboard's address", patience);
        if (!line.IsMatch(Stdout)) throw new InvalidOperationException($"serve ended: {Stdout}\n{Stderr}");
        return line.Match(Stdout).Groups[1].Value;
    }

    /// <summary>Runs to the end and returns the exit code.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(TimeSpan timeout, params string[] args)
    {
        using var process = Start(args);
        var code = await process.WaitForExitAsync(timeout);
        return (code, process.Stdout, process.Stderr);
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"Cofi.Host did not exit within {timeout}.\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
        }
        // Let the asynchronous readers drain the last lines.
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing, exactly like a machine losing power for this process.</summary>
    public void Kill()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
