using Cofi.Actors.Executors;
using Cofi.Actors.Inputs;
using Cofi.Actors.Tests.Support;

namespace Cofi.Host.Tests.Support;

/// <summary>
/// A cluster of real processes on loopback: a Lighthouse seed, a coordinator running a batch on SQLite, and GPU
/// nodes that each record their calls in their own log.
/// </summary>
public sealed class ClusterRig : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);
    private readonly List<CofiProcess> _processes = new();
    private readonly Dictionary<string, string> _environment;

    private readonly CofiProcess _lighthouse;

    public ClusterRig(TempDirectory dir, int files)
    {
        Dir = dir;
        Input = Path.Combine(dir.Path, "input");
        Database = dir.File("cofi.db");
        SampleBatch.Generate(Input, files, 0);
        var port = FreePort.Next();
        _environment = new Dictionary<string, string> { ["ACTORSYSTEM"] = "cofi", ["CLUSTER_SEEDS"] = $"akka.tcp://cofi@127.0.0.1:{port}" };
        _lighthouse = Start(CofiProcess.LighthouseDll, new Dictionary<string, string> { ["ACTORSYSTEM"] = "cofi", ["CLUSTER_PORT"] = port.ToString() });
    }

    /// <summary>Waits for the seed to be Up, so members that join next do not spend a retry round on a closed port.</summary>
    public Task LighthouseUpAsync() => Until(() => _lighthouse.Stdout.Contains("lighthouse: up at"), "lighthouse up", _lighthouse);

    /// <summary>Starts a GPU node and waits for it to be Up in the cluster.</summary>
    public async Task<CofiProcess> StartGpuNodeUpAsync(string name, int latencyMs)
    {
        var node = StartGpuNode(name, latencyMs);
        await Until(() => node.Stdout.Contains($"node {name}: up at"), $"{name} up", node);
        return node;
    }

    public TempDirectory Dir { get; }

    public string Input { get; }

    public string Database { get; }

    public CofiProcess StartCoordinator(int latencyMs) =>
        Start(CofiProcess.HostDll, _environment, "run", "--roles", "coordinator", "--input", Input, "--db", Database, "--latency", latencyMs.ToString());

    public CofiProcess StartGpuNode(string name, int latencyMs) =>
        Start(CofiProcess.HostDll, _environment, "node", "--name", name, "--latency", latencyMs.ToString(), "--call-log", CallLog(name));

    public string CallLog(string node) => Dir.File($"calls-{node}.log");

    public IReadOnlyList<CallRecord> Calls(string node) => FileCallRecorder.Read(CallLog(node));

    public static async Task Until(Func<bool> condition, string what, params CofiProcess[] watched)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{what}: not within {Patience}\n" + string.Join("\n---\n", watched.Select(p => p.Stdout + p.Stderr)));
            await Task.Delay(20);
        }
    }

    private CofiProcess Start(string dll, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var process = CofiProcess.StartDll(dll, environment, args);
        _processes.Add(process);
        return process;
    }

    public ValueTask DisposeAsync()
    {
        foreach (var process in _processes) process.Dispose();
        return ValueTask.CompletedTask;
    }
}
