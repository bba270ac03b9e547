using Akka.Actor;
using Cofi.Actors.Configuration;
using Cofi.Actors.Executors;
using Polly;
using Polly.CircuitBreaker;

namespace Cofi.Actors.Gpu;

/// <summary>
/// A Polly circuit breaker in front of one GPU machine's calls, every stage and every running batch together:
/// transient failures count against the machine, a file's own permanent failure does not. While it is open, calls
/// are declined without being attempted; the first call after the break, from whichever batch, is the probe.
/// Each subscribed worker is told <see cref="Changed"/> when it opens, half-opens or closes. Local to its process.
/// </summary>
public sealed class MachineCircuit
{
    /// <summary>The machine's circuit opened, half-opened or closed.</summary>
    public sealed record Changed(CircuitState State);

    private readonly string _machine;
    private readonly ResiliencePipeline<CallOutcome> _pipeline;
    // Guards the listeners and the last state told, so that every listener hears the changes in the order they happened.
    private readonly object _gate = new();
    private readonly HashSet<IActorRef> _listeners = new();
    private CircuitState _told = CircuitState.Closed;

    public MachineCircuit(string machine, CircuitBreakerSettings settings, TimeProvider clock)
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
                OnOpened = _ => Tell(CircuitState.Open),
                OnHalfOpened = _ => Tell(CircuitState.HalfOpen),
                OnClosed = _ => Tell(CircuitState.Closed),
            })
            .Build();
    }

    /// <summary>From now on <paramref name="listener"/> is told each change; at once, if the circuit is not closed now.</summary>
    public void Subscribe(IActorRef listener)
    {
        lock (_gate)
        {
            _listeners.Add(listener);
            if (_told != CircuitState.Closed) listener.Tell(new Changed(_told));
        }
    }

    public void Unsubscribe(IActorRef listener)
    {
        lock (_gate) _listeners.Remove(listener);
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

    // Called by Polly on a pool thread.
    private ValueTask Tell(CircuitState state)
    {
        lock (_gate)
        {
            _told = state;
            foreach (var listener in _listeners) listener.Tell(new Changed(state));
        }
        return default;
    }
}
