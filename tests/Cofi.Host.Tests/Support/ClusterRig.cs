using Cofi.Actors.Executors;
using Cofi.Actors.Inputs;
using Cofi.Actors.Tests.Support;
using Cofi.Host.Web;

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

    private readonly Dictionary<string, string> _lighthouseEnvironment;
    private readonly Dictionary<string, string> _lighthouseOnly;
    private CofiProcess _lighthouse;

    /// <param name="database">a MySQL / MariaDB connection string shared by the coordinators; a SQLite file in the directory by default</param>
    /// <param name="coordinatorPort">a fixed port for the first coordinator, which then is a seed too (so a restarted lighthouse finds the cluster)</param>
    /// <param name="environment">variables every process of the cluster has (the lighthouse's included)</param>
    public ClusterRig(TempDirectory dir, int files, string? database = null, int? coordinatorPort = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        Dir = dir;
        Input = Path.Combine(dir.Path, "input");
        Database = database ?? dir.File("cofi.db");
        SampleBatch.Generate(Input, files, 0);
        LighthousePort = FreePort.Next();
        CoordinatorPort = coordinatorPort;
        var seeds = new List<string> { $"akka.tcp://cofi@127.0.0.1:{LighthousePort}" };
        if (coordinatorPort is { } seedPort) seeds.Add($"akka.tcp://cofi@127.0.0.1:{seedPort}");
        _environment = new Dictionary<string, string>(environment ?? new Dictionary<string, string>())
        {
            ["ACTORSYSTEM"] = "cofi", ["CLUSTER_SEEDS"] = string.Join(",", seeds),
        };
        _lighthouseEnvironment = new Dictionary<string, string>(_environment) { ["CLUSTER_PORT"] = LighthousePort.ToString() };
        _lighthouseOnly = new Dictionary<string, string>(_environment) { ["CLUSTER_SEEDS"] = seeds[0] };
        _lighthouse = Start(CofiProcess.LighthouseDll, _lighthouseEnvironment);
    }

    public int LighthousePort { get; }

    public int? CoordinatorPort { get; }

    public CofiProcess Lighthouse => _lighthouse;

    /// <summary>Waits for the seed to be Up, so members that join next do not spend a retry round on a closed port.</summary>
    public Task LighthouseUpAsync() => Until(() => _lighthouse.Stdout.Contains("lighthouse: up at"), "lighthouse up", _lighthouse);

    /// <summary>A new lighthouse process on the same address (after the old one was killed).</summary>
    public CofiProcess RestartLighthouse() => _lighthouse = Start(CofiProcess.LighthouseDll, _lighthouseEnvironment);

    /// <summary>Starts a GPU node and waits for it to be Up in the cluster.</summary>
    /// <param name="environment">variables of this node only, on top of the cluster's.</param>
    /// <param name="config">a HOCON file of this node's (<c>--config</c>).</param>
    public async Task<CofiProcess> StartGpuNodeUpAsync(string name, int latencyMs, IReadOnlyDictionary<string, string>? environment = null, string? config = null)
    {
        var node = StartGpuNode(name, latencyMs, environment: environment, config: config);
        await Until(() => node.Stdout.Contains($"node {name}: up at"), $"{name} up", node);
        return node;
    }

    public TempDirectory Dir { get; }

    public string Input { get; }

    public string Database { get; }

    /// <summary>The coordinator that submits the batch and waits for it (on the seed port when there is one).</summary>
    public CofiProcess StartCoordinator(int latencyMs) =>
        Start(CofiProcess.HostDll, WithPort(CoordinatorPort), "run", "--roles", "coordinator", "--input", Input, "--db", Database, "--latency", latencyMs.ToString());

    /// <summary>A coordinator node that serves batches when the cluster singleton lands on it.</summary>
    public CofiProcess StartStandbyCoordinator(string name, int latencyMs, string? database = null) =>
        Start(CofiProcess.HostDll, _environment, "node", "--roles", "coordinator", "--name", name, "--db", database ?? Database, "--latency", latencyMs.ToString());

    /// <summary>A standing coordinator (<c>serve</c>) with its dashboard and API on a free port; the API may read <see cref="Input"/>.</summary>
    /// <param name="config">a HOCON file of this coordinator's (<c>--config</c>).</param>
    public CofiProcess StartServingCoordinator(string name, int latencyMs, string? config = null) =>
        Start(CofiProcess.HostDll, new Dictionary<string, string>(_environment) { [WebSettings.InputRootsVariable] = Input },
            ["serve", "--name", name, "--db", Database, "--latency", latencyMs.ToString(), .. ConfigOption(config)]);

    /// <summary>A command line run against the cluster (knowing its seeds from the environment, like an operator's shell).</summary>
    /// <param name="watched">processes whose output explains a command that does not end</param>
    public async Task<(int ExitCode, string Stdout, string Stderr)> RunCommandAsync(string[] args, params CofiProcess[] watched)
    {
        var process = Start(CofiProcess.HostDll, _environment, args);
        await Until(() => process.HasExited, $"{string.Join(" ", args)} ending", [process, .. watched]);
        var code = await process.WaitForExitAsync(Patience);
        return (code, process.Stdout, process.Stderr);
    }

    private Dictionary<string, string> WithPort(int? port) =>
        port is null ? _environment : new Dictionary<string, string>(_environment) { ["CLUSTER_PORT"] = port.Value.ToString() };

    public CofiProcess StartGpuNode(string name, int latencyMs, bool throughLighthouseOnly = false, IReadOnlyDictionary<string, string>? environment = null,
        string? config = null)
    {
        var variables = new Dictionary<string, string>(throughLighthouseOnly ? _lighthouseOnly : _environment);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) variables[key] = value;
        return Start(CofiProcess.HostDll, variables, ["node", "--name", name, "--latency", latencyMs.ToString(), "--call-log", CallLog(name), .. ConfigOption(config)]);
    }

    private static string[] ConfigOption(string? config) => config is null ? [] : ["--config", config];

    public string CallLog(string node) => Dir.File($"calls-{node}.log");

    public IReadOnlyList<CallRecord> Calls(string node) => FileCallRecorder.Read(CallLog(node));

    public IReadOnlyList<CallRecord> Calls(params string[] nodes) => nodes.SelectMany(Calls).ToList();

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
