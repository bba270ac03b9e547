using System.Diagnostics;

namespace Cofi.Cli.Tests.Support;

/// <summary>A program on a pseudo-terminal in a tmux session of its own: keys in, the screen out.</summary>
public sealed class Tmux : IDisposable
{
    private readonly string _session = $"cofi-{Guid.NewGuid():N}"[..16];

    /// <summary>Runs <paramref name="command"/>; when it ends, the pane says <c>exited N</c> and stays for a while.</summary>
    public Tmux(string command, IReadOnlyDictionary<string, string> environment)
    {
        var env = string.Join(" ", environment.Select(e => $"{e.Key}='{e.Value}'"));
        Run("new-session", "-d", "-s", _session, "-x", "200", "-y", "50", $"env {env} {command}; echo exited $?; sleep 60");
    }

    public void Keys(params string[] keys) => Run(["send-keys", "-t", _session, .. keys]);

    /// <summary>Types the text literally (no key names).</summary>
    public void Type(string text) => Run("send-keys", "-t", _session, "-l", text);

    public string Screen() => Run("capture-pane", "-p", "-t", _session, "-S", "-200");

    public async Task<string> WaitForAsync(Func<string, bool> shows, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var screen = Screen();
            if (shows(screen)) return screen;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{what} not on the screen:\n{screen}");
            await Task.Delay(100);
        }
    }

    private string Run(params string[] args)
    {
        var info = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return output;
    }

    public void Dispose() => Run("kill-session", "-t", _session);
}
