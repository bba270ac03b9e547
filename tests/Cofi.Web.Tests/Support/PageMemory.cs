using System.Text.Json;
using Microsoft.Playwright;

namespace Cofi.Web.Tests.Support;

/// <summary>
/// What a page holds after a forced garbage collection, as Chromium counts it (DevTools protocol): the JS heap in use,
/// the DOM nodes alive (those the document holds and detached ones something still keeps), the JS event listeners,
/// and the elements in the document.
/// </summary>
public sealed record PageMemory(double HeapBytes, long Nodes, long Listeners, long Elements)
{
    public double HeapMiB => HeapBytes / 1024 / 1024;

    /// <summary>Collects the page's garbage, then counts.</summary>
    public static async Task<PageMemory> MeasureAsync(ICDPSession devTools, IPage page)
    {
        await devTools.SendAsync("HeapProfiler.collectGarbage");
        var heap = (await devTools.SendAsync("Runtime.getHeapUsage"))!.Value;
        var counters = (await devTools.SendAsync("Memory.getDOMCounters"))!.Value;
        var elements = await page.EvaluateAsync<long>("() => document.getElementsByTagName('*').length");
        return new PageMemory(heap.GetProperty("usedSize").GetDouble(), Count(counters, "nodes"), Count(counters, "jsEventListeners"), elements);
    }

    private static long Count(JsonElement counters, string name) => counters.GetProperty(name).GetInt64();
}
