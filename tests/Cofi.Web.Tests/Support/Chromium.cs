using Microsoft.Playwright;

namespace Cofi.Web.Tests.Support;

/// <summary>
/// Headless Chromium as Debian packages it (scripts/chromium-install puts it at /usr/bin/chromium), driven by
/// Playwright: Playwright's own browser download is never used. <c>COFI_TEST_CHROMIUM</c> names another binary.
/// </summary>
public sealed class Chromium : IAsyncDisposable
{
    public const string Variable = "COFI_TEST_CHROMIUM";

    private readonly IPlaywright _playwright;

    private Chromium(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    public IBrowser Browser { get; }

    public static string ExecutablePath => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public static async Task<Chromium> LaunchAsync()
    {
        if (!File.Exists(ExecutablePath))
            throw new InvalidOperationException($"no Chromium at {ExecutablePath}: run scripts/chromium-install (or set {Variable})");
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ExecutablePath, Headless = true });
            return new Chromium(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A page in a fresh context (no cache) that is signed in with <paramref name="token"/>: it holds the session cookie
    /// that signing in on the dashboard sets (HttpOnly, SameSite=Strict, the browser session only).
    /// </summary>
    public async Task<IPage> SignedInPageAsync(string address, string token, int width = 1600, int height = 1200)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
        await context.AddCookiesAsync([new Cookie { Name = "cofi_session", Value = token, Url = address, HttpOnly = true, SameSite = SameSiteAttribute.Strict }]);
        return await context.NewPageAsync();
    }

    /// <summary>
    /// The dashboard signed in with <paramref name="token"/>, opened and connected to the live stream, with every script
    /// error the page raises added to <paramref name="problems"/>.
    /// </summary>
    public async Task<IPage> LiveDashboardAsync(string address, string token, List<string> problems)
    {
        var page = await SignedInPageAsync(address, token);
        page.PageError += (_, error) => problems.Add(error);
        await page.GotoAsync(address);
        await Assertions.Expect(page.Locator("#connection")).ToHaveTextAsync("live", new() { Timeout = (float)TimeSpan.FromMinutes(2).TotalMilliseconds });
        return page;
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
    }
}
