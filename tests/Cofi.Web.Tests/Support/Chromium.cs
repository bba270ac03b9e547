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

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
    }
}
