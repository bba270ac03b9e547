using System.Diagnostics;

namespace Cofi.Host.Tests.Support;

/// <summary>Asks again until the answer holds, for state that becomes true eventually; running out of time reports the last answer.</summary>
public static class Poll
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);

    /// <returns>The first answer that holds.</returns>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> ask, Func<T, bool> holds, string what, TimeSpan timeout, Func<T, string>? describe = null)
    {
        var elapsed = Stopwatch.StartNew();
        while (true)
        {
            var answer = await ask();
            if (holds(answer)) return answer;
            if (elapsed.Elapsed > timeout)
                throw new TimeoutException($"{what}: not within {timeout}; the last answer was: {(describe is null ? answer?.ToString() : describe(answer))}");
            await Task.Delay(Interval);
        }
    }
}
