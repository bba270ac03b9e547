using Akka.Configuration;

namespace Cofi.Actors.Configuration;

/// <summary>A fault the simulated executor injects for chosen files at a chosen stage.</summary>
/// <param name="Hangs">the call never answers: it ends at the stage's timeout</param>
public sealed record SimulatedFault(string Name, string Stage, IReadOnlySet<string> Files, bool Permanent, int Times, bool Hangs = false);

/// <param name="Slowdown">simulated machines slower than the rest, with how many times their calls take</param>
/// <param name="Stragglers">the share of simulated GPU calls that take <see cref="SimulatedStragglers.Factor"/> times as long</param>
public sealed record SimulatedSettings(int GpuMachines, string? CallLog, IReadOnlyList<SimulatedFault> Faults,
    IReadOnlyDictionary<string, double>? Slowdown = null, SimulatedStragglers? Stragglers = null)
{
    /// <summary>How many times longer a call on <paramref name="machine"/> takes: 1 but for the slow machines.</summary>
    public double SlowdownOf(string machine) => Slowdown?.GetValueOrDefault(machine, 1) ?? 1;
}

/// <summary>A share (<see cref="Rate"/>) of simulated GPU calls, chosen by file and attempt, take <see cref="Factor"/> times as long.</summary>
public sealed record SimulatedStragglers(double Rate, double Factor);

/// <param name="MaxEventBytes">about how large one journal event of a stage's outcomes may grow (its records' text); a group past it is split</param>
/// <param name="SnapshotPhase">0 to 1: how much later than <paramref name="SnapshotEvery"/> this stage takes its first snapshot (see <see cref="Stages.SnapshotPolicy"/>); set per stage by its batch</param>
public sealed record RecordingSettings(int SnapshotEvery, int RecordGroupSize, TimeSpan RecordFlushInterval, int MaxEventBytes = RecordingSettings.DefaultMaxEventBytes,
    double SnapshotPhase = 0)
{
    public const int DefaultMaxEventBytes = 4 * 1024 * 1024;
}

/// <summary>Everything under the <c>cofi</c> HOCON section, read and validated once at start.</summary>
public sealed record CofiSettings(
    int MaxConcurrentBatches,
    PipelineSettings Pipeline,
    SimulatedSettings Simulated,
    RecordingSettings Persistence,
    GpuSettings Gpu)
{
    /// <summary>
    /// The folders the web API may read batches from (the host's <c>cofi.web.input-roots</c>): a batch whose input lies
    /// under one is scanned confined to them (<see cref="Inputs.InputConfinement"/>). None: no batch is confined.
    /// </summary>
    public IReadOnlyList<string> InputRoots { get; init; } = [];

    /// <exception cref="InvalidConfigurationException">naming the key of the first invalid value.</exception>
    public static CofiSettings FromConfig(Config config)
    {
        if (!config.HasPath("cofi")) throw new InvalidConfigurationException("cofi", "missing section");
        var root = new ConfigReader(config.GetConfig("cofi"), "cofi");
        var pipeline = PipelineSettings.Read(root.Section("pipeline"), root.Section("stage-defaults"));
        var persistence = root.Section("persistence");
        return new CofiSettings(
            root.Int("max-concurrent-batches", 1, 1000),
            pipeline,
            ReadSimulated(root.Section("simulated"), pipeline),
            new RecordingSettings(
                persistence.Int("snapshot-every", 1),
                persistence.Int("record-group-size", 1, 100_000),
                persistence.Duration("record-flush-interval", TimeSpan.FromMilliseconds(1)),
                persistence.Int("max-event-bytes", 64 * 1024)),
            ReadGpu(root.Section("gpu")));
    }

    private static GpuSettings ReadGpu(ConfigReader gpu)
    {
        var machines = gpu.StringList("machines");
        foreach (var machine in machines.Where(m => Uri.CheckHostName(m) == UriHostNameType.Unknown))
            throw new InvalidConfigurationException(gpu.Key("machines"), $"not a host name or address: '{machine}'");
        var duplicate = machines.GroupBy(m => m, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new InvalidConfigurationException(gpu.Key("machines"), $"machine '{duplicate.Key}' is listed twice");
        var localHost = gpu.String("local-host");
        if (Uri.CheckHostName(localHost) == UriHostNameType.Unknown)
            throw new InvalidConfigurationException(gpu.Key("local-host"), $"not a host name or address: '{localHost}'");
        var healthPath = gpu.OptionalString("health-path");
        if (healthPath is not null && !healthPath.StartsWith('/'))
            throw new InvalidConfigurationException(gpu.Key("health-path"), $"must start with '/' (got '{healthPath}')");
        var breaker = gpu.Section("circuit-breaker");
        var limits = gpu.Section("limits");
        return new GpuSettings(
            machines,
            localHost,
            new CircuitBreakerSettings(
                breaker.Fraction("failure-ratio"),
                breaker.Int("minimum-throughput", 2),
                breaker.Duration("sampling-duration", TimeSpan.FromMilliseconds(500)),
                breaker.Duration("break-duration", TimeSpan.FromMilliseconds(500))),
            new HttpLimits(
                limits.Int("max-request-bytes", 1024),
                limits.Int("max-response-bytes", 1024),
                limits.Int("logged-body-chars", 0, 1_000_000)),
            healthPath);
    }

    private static SimulatedSettings ReadSimulated(ConfigReader simulated, PipelineSettings pipeline)
    {
        var faults = new List<SimulatedFault>();
        foreach (var name in simulated.ObjectKeys("faults"))
        {
            var fault = simulated.Section("faults").Section(name);
            var stage = fault.String("stage");
            if (pipeline.IndexOf(stage) < 0)
                throw new InvalidConfigurationException(fault.Key("stage"), $"unknown stage '{stage}'");
            var kind = fault.String("kind");
            if (kind is not ("permanent" or "transient" or "hang"))
                throw new InvalidConfigurationException(fault.Key("kind"), $"unknown fault kind '{kind}'; expected permanent, transient or hang");
            faults.Add(new SimulatedFault(name, stage, fault.StringList("files").ToHashSet(StringComparer.Ordinal),
                kind == "permanent", fault.Has("times") ? fault.Int("times", 1) : 1, kind == "hang"));
        }
        var slowdown = simulated.ObjectKeys("slow-machines").ToDictionary(m => m, m => simulated.Section("slow-machines").Number(m, 1, 1000));
        var stragglers = new SimulatedStragglers(simulated.Fraction("stragglers.rate"), simulated.Number("stragglers.factor", 1, 1000));
        return new SimulatedSettings(simulated.Int("gpu-machines", 0, 1024), simulated.OptionalString("call-log"), faults, slowdown, stragglers);
    }
}
