using Microsoft.Playwright;

namespace Cofi.Web.Tests.Support;

/// <summary>
/// The uPlot charts a page holds against those it shows. uPlot puts a <c>dppxchange</c> listener on the window for each
/// chart until the chart is destroyed (and one of its own), so the listeners Chromium counts there (DevTools protocol)
/// tell the charts alive, shown or not: a chart taken out of the page without being destroyed stays, with its canvas.
/// </summary>
public sealed record PageCharts(int Alive, int Shown)
{
    public static async Task<PageCharts> CountAsync(ICDPSession devTools, IPage page)
    {
        var window = (await devTools.SendAsync("Runtime.evaluate", new() { ["expression"] = "window" }))!.Value;
        var listeners = (await devTools.SendAsync("DOMDebugger.getEventListeners",
            new() { ["objectId"] = window.GetProperty("result").GetProperty("objectId").GetString()! }))!.Value;
        var alive = listeners.GetProperty("listeners").EnumerateArray().Count(l => l.GetProperty("type").GetString() == "dppxchange") - 1;
        return new PageCharts(alive, await page.EvaluateAsync<int>("() => document.querySelectorAll('.uplot').length"));
    }
}
