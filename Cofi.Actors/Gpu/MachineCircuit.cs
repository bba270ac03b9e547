using Cofi.Actors.Configuration;
using Cofi.Actors.Executors;
using Polly;
using Polly.CircuitBreaker;

namespace Cofi.Actors.Gpu;

/// <summary>
/// A Polly circuit breaker in front of one GPU machine's calls, every stage together: transient failures count
/// against the machine, a file's own permanent failure does not. While it is open, calls are declined without
/// being attempted; the first call after the break is the probe.
/// </summary>
public sealed class MachineCircuit
{
    private readonly string _machine;
    private readonly ResiliencePipeline<CallOutcome> _pipeline;

    /// <param name="changed">Called (on a pool thread) when the circuit opens, half-opens or closes.</param>
    public MachineCircuit(string machine, CircuitBreakerSettings settings, TimeProvider clock, Action<CircuitState> changed)
    {
        _machine = machine;
        _pipeline = new ResiliencePipelineBuilder<CallOutcome> { TimeProvider = clock }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<CallOutcome>
            {
                FailureRatio = settings.FailureRatio,
                MinimumThroughput = settings.MinimumThroughput,
                SamplingDuration = settings.SamplingDuration,
                BreakDuration = settings.BreakDuration,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is not null || args.Outcome.Result is CallOutcome.TransientFailure),
                OnOpened = _ =>
                {
                    changed(CircuitState.Open);
                    return default;
                },
                OnHalfOpened = _ =>
                {
                    changed(CircuitState.HalfOpen);
                    return default;
                },
                OnClosed = _ =>
                {
                    changed(CircuitState.Closed);
                    return default;
                },
            })
            .Build();
    }

    public async Task<CallOutcome> RunAsync(Func<CancellationToken, Task<CallOutcome>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await _pipeline.ExecuteAsync(async token => await call(token).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }
        catch (BrokenCircuitException)
        {
            return new CallOutcome.Declined($"circuit of {_machine} is open");
        }
    }
}
