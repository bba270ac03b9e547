using System.Threading.RateLimiting;
using Cofi.Actors.Configuration;

namespace Cofi.Actors.Executors.Llm;

/// <summary>
/// One chat-completions URL and its limits: at most <c>max-concurrency</c> calls at once, and requests and tokens
/// per minute as token buckets refilled evenly (a second's worth may go at once), so calls are spread over the minute.
/// </summary>
public sealed class LlmEndpoint : IAsyncDisposable
{
    private readonly ConcurrencyLimiter _concurrency;
    private readonly TokenBucketRateLimiter? _requests;
    private readonly TokenBucketRateLimiter? _tokens;
    private readonly int _tokenBurst;

    public LlmEndpoint(Uri url, LlmStageSettings llm)
    {
        Url = url;
        _concurrency = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = llm.MaxConcurrency, QueueLimit = int.MaxValue });
        if (llm.RequestsPerMinute > 0)
            _requests = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
            {
                TokenLimit = Math.Max(1, llm.RequestsPerMinute / 60),
                TokensPerPeriod = 1,
                ReplenishmentPeriod = TimeSpan.FromMinutes(1) / llm.RequestsPerMinute,
                QueueLimit = int.MaxValue,
                AutoReplenishment = true,
            });
        if (llm.TokensPerMinute > 0)
        {
            _tokenBurst = Math.Max(1, llm.TokensPerMinute / 60);
            _tokens = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
            {
                TokenLimit = _tokenBurst,
                TokensPerPeriod = Math.Max(1, llm.TokensPerMinute / 600),
                ReplenishmentPeriod = TimeSpan.FromMilliseconds(100),
                QueueLimit = int.MaxValue,
                AutoReplenishment = true,
            });
        }
    }

    public Uri Url { get; }

    /// <summary>Waits for a slot, a request and <paramref name="tokens"/> tokens; dispose the lease when the call is over.</summary>
    public async Task<IDisposable> AcquireAsync(int tokens, CancellationToken cancellationToken)
    {
        var slot = await _concurrency.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
        try
        {
            if (_requests is not null) (await _requests.AcquireAsync(1, cancellationToken).ConfigureAwait(false)).Dispose();
            // A call larger than a second's worth of tokens waits for a full bucket rather than forever.
            if (_tokens is not null) (await _tokens.AcquireAsync(Math.Clamp(tokens, 1, _tokenBurst), cancellationToken).ConfigureAwait(false)).Dispose();
            return slot;
        }
        catch
        {
            slot.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _concurrency.DisposeAsync().ConfigureAwait(false);
        if (_requests is not null) await _requests.DisposeAsync().ConfigureAwait(false);
        if (_tokens is not null) await _tokens.DisposeAsync().ConfigureAwait(false);
    }
}
