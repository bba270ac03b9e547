using System.Diagnostics;
using Cofi.Actors.Tests.Support;

namespace Cofi.Host.Tests.Support;

/// <summary>
/// A MariaDB server of this test's own, started by scripts/mariadb-start on a free port with its own data
/// directory, so that stopping it cannot disturb the shared test server or other tests running at the same time.
/// </summary>
public sealed class PrivateMariaDb : IAsyncDisposable
{
    private readonly TempDirectory _base = new("cofi-mdb");
    private readonly int _port = FreePort.Next();

    private PrivateMariaDb()
    {
    }

    public string ConnectionString { get; private set; } = "";

    public static async Task<PrivateMariaDb> StartAsync()
    {
        var server = new PrivateMariaDb();
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts the server (again) on the same port and data directory.</summary>
    public async Task StartAgainAsync() => ConnectionString = (await ScriptAsync("mariadb-start")).Trim();

    /// <summary>Shuts the server down; returns once it has stopped.</summary>
    public Task StopAsync() => ScriptAsync("mariadb-stop");

    private async Task<string> ScriptAsync(string name)
    {
        var info = new ProcessStartInfo(Path.Combine(RepositoryRoot(), "scripts", name)) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.Environment["MDB_BASE"] = _base.Path;
        info.Environment["MDB_PORT"] = _port.ToString();
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(cancel.Token);
        if (process.ExitCode != 0) throw new InvalidOperationException($"scripts/{name} failed ({process.ExitCode}): {await stderr}");
        return await stdout;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "scripts", "mariadb-start"))) return dir.FullName;
        throw new InvalidOperationException($"no scripts/mariadb-start above {AppContext.BaseDirectory}");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }
        _base.Dispose();
    }
}
