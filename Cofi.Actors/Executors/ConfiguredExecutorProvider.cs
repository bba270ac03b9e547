using System.Collections.Concurrent;
using Cofi.Actors.Configuration;
using Cofi.Actors.Executors.Http;
using Cofi.Actors.Executors.Llm;

namespace Cofi.Actors.Executors;

/// <summary>
/// Picks each stage's executor by its <c>executor</c> setting: <c>http</c> gives GPU stages the machine's model
/// service and LLM stages their chat-completions endpoints; <c>simulated</c> (and the builtin kinds) what
/// <see cref="SimulatedExecutorProvider"/> gives. Owns the one HttpClient all calls share, and each LLM stage's
/// endpoint limits, which outlive a restarted stage. A GPU machine is called at its own name, except the machines of
/// this GPU node (<c>localMachines</c>), whose model services run here, at <c>cofi.gpu.local-host</c>.
/// </summary>
public sealed class ConfiguredExecutorProvider : IExecutorProvider, IDisposable
{
    private readonly SimulatedExecutorProvider _simulated;
    private readonly HttpLimits _limits;
    private readonly string _localHost;
    private readonly HashSet<string> _localMachines;
    private readonly TimeProvider _clock;
    private readonly HttpClient _client;
    private readonly ConcurrentDictionary<string, IReadOnlyList<LlmEndpoint>> _llmEndpoints = new();

    public ConfiguredExecutorProvider(CofiSettings settings, ICallRecorder recorder, TimeProvider clock, IReadOnlyCollection<string>? localMachines = null)
    {
        _localHost = settings.Gpu.LocalHost;
        _localMachines = new HashSet<string>(localMachines ?? [], StringComparer.OrdinalIgnoreCase);
        _simulated = new SimulatedExecutorProvider(settings.Simulated, recorder, clock);
        _limits = settings.Gpu.Limits;
        _clock = clock;
        _client = new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(5),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            MaxConnectionsPerServer = 256,
        })
        {
            // Each attempt's timeout is the stage's, applied by the caller.
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public IStageExecutor For(StageSettings stage, string machine) => (stage.Kind, stage.Executor) switch
    {
        (StageKind.Gpu, ExecutorKind.Http) => new HttpStageExecutor(stage, machine, HostOf(machine), _client, _limits, _clock),
        (StageKind.Llm, ExecutorKind.Http) => new LlmExecutor(stage,
            _llmEndpoints.GetOrAdd(stage.Name, _ => stage.Llm!.Endpoints.Select(u => new LlmEndpoint(u, stage.Llm)).ToList()),
            _client, _limits, _clock),
        _ => _simulated.For(stage, machine),
    };

    /// <summary>The host name or address a GPU machine's model services are called at.</summary>
    public string HostOf(string machine) => _localMachines.Contains(machine) ? _localHost : machine;

    public void Dispose()
    {
        _client.Dispose();
        foreach (var endpoint in _llmEndpoints.Values.SelectMany(e => e)) endpoint.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
