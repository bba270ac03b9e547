using System.Text.Json;
using Microsoft.Playwright;

namespace Cofi.Web.Tests.Support;

/// <summary>
/// The frames a page rendered over a period, counted in the page as requestAnimationFrame callbacks, with the longest
/// gap between two of them and the long tasks (main thread busy over 50 ms) Chromium reported meanwhile.
/// </summary>
public sealed record PageFrames(int Frames, double Seconds, double LongestGapMs, int LongTasks, double LongTaskMs)
{
    public double PerSecond => Frames / Seconds;

    public static async Task<PageFrames> CountAsync(IPage page, TimeSpan period)
    {
        var counted = await page.EvaluateAsync<JsonElement>("""
            async (ms) => {
              const long = [];
              const observer = new PerformanceObserver((list) => long.push(...list.getEntries().map((e) => e.duration)));
              observer.observe({ type: "longtask" });
              let frames = 0, counting = true;
              const start = performance.now();
              let last = start, longestGapMs = 0;
              const frame = (now) => {
                frames++;
                longestGapMs = Math.max(longestGapMs, now - last);
                last = now;
                if (counting) requestAnimationFrame(frame);
              };
              requestAnimationFrame(frame);
              await new Promise((resolve) => setTimeout(resolve, ms));
              counting = false;
              observer.disconnect();
              return { frames, seconds: (performance.now() - start) / 1000, longestGapMs,
                longTasks: long.length, longTaskMs: long.reduce((sum, d) => sum + d, 0) };
            }
            """, period.TotalMilliseconds);
        double Figure(string name) => counted.GetProperty(name).GetDouble();
        return new PageFrames((int)Figure("frames"), Figure("seconds"), Figure("longestGapMs"), (int)Figure("longTasks"), Figure("longTaskMs"));
    }
}
