using Cofi.Actors.Inputs;
using Cofi.Actors.Tests.Support;
using Cofi.Host.Tests.Support;
using Cofi.Management.Security;

namespace Cofi.Cli.Tests.Support;

/// <summary>
/// A real <c>Cofi.Host serve</c> on loopback: alone (simulated GPU machines, SQLite) or as a coordinator of a cluster,
/// with an input root of its own and an API token; <see cref="Address"/> is what an operator gives cofi.
/// </summary>
public sealed class ServeNode : IAsyncDisposable
{
    public const string Token = "operator-token";

    /// <summary>A viewer's token from the node's tokens file, beside the operator's <see cref="Token"/>.</summary>
    public string ViewerToken { get; private init; } = "";

    /// <summary>An admin's token from the node's tokens file.</summary>
    public string AdminToken { get; private init; } = "";

    private ServeNode(TempDirectory dir, CofiProcess process, string address)
    {
        Dir = dir;
        Process = process;
        Address = address;
    }

    public TempDirectory Dir { get; }

    public CofiProcess Process { get; }

    /// <summary>HOST:PORT of its API.</summary>
    public string Address { get; }

    public string Inputs => Dir.File("inputs");

    public Dictionary<string, string> WithToken => new() { ["COFI_API_TOKEN"] = Token };

    public string Database => Dir.File("cofi.db");

    /// <param name="environment">a cluster's seeds and the like; none: the single-node serve.</param>
    public static async Task<ServeNode> StartAsync(string latency = "20ms", IReadOnlyDictionary<string, string>? environment = null, TempDirectory? dir = null)
    {
        dir ??= new TempDirectory("cofi-cli");
        Directory.CreateDirectory(dir.File("inputs"));
        var viewer = TokenFile.Add(dir.File("tokens"), "watcher", Role.Viewer);
        var admin = TokenFile.Add(dir.File("tokens"), "root", Role.Admin);
        var env = new Dictionary<string, string>(environment ?? new Dictionary<string, string>())
        {
            ["COFI_API_TOKEN"] = Token,
            ["COFI_INPUT_ROOTS"] = dir.File("inputs"),
            ["COFI_TOKENS_FILE"] = dir.File("tokens"),
        };
        var process = CofiProcess.StartDll(CofiProcess.HostDll, env, "serve", "--db", dir.File("cofi.db"), "--latency", latency);
        await ClusterRig.Until(() => process.Stdout.Contains(": dashboard http://"), "serve listening", process);
        var line = process.Stdout.Split('\n').First(l => l.Contains(": dashboard http://"));
        var address = line[(line.IndexOf("http://", StringComparison.Ordinal) + 7)..].Split('/')[0];
        return new ServeNode(dir, process, address) { ViewerToken = viewer, AdminToken = admin };
    }

    /// <summary>A folder of sample files under the input root.</summary>
    public string Samples(string name, int files, int corrupt = 0)
    {
        var folder = Path.Combine(Inputs, name);
        SampleBatch.Generate(folder, files, corrupt);
        return folder;
    }

    public Task<CofiCommand.Result> CofiAsync(params string[] args) => CofiCommand.RunAsync(WithToken, [Address, .. args]);

    public async Task<long> SubmitAsync(string input, params string[] more)
    {
        var submitted = await CofiAsync(["batch", "submit", input, "--json", .. more]);
        submitted.ExitCode.ShouldBe(0, submitted.ToString());
        return submitted.Json.GetProperty("batchId").GetInt64();
    }

    public ValueTask DisposeAsync()
    {
        Process.Dispose();
        Dir.Dispose();
        return ValueTask.CompletedTask;
    }
}
