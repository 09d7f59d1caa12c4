using MicoPortal.Tests.Infrastructure;
using Microsoft.Playwright;

namespace MicoPortal.BrowserTests;

/// <summary>
/// Every browser test shares one portal and one Chromium. One host per process matters, not only
/// for speed: Hangfire's log provider is process-wide and points at the last host's logger factory,
/// so disposing a second host broke the first one's lazily created job client (a 500 on retry).
/// </summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "Browser";
}

/// <summary>
/// The real portal (Kestrel, built-in sandbox, demo traffic) and Debian's Chromium driven by
/// Playwright. Playwright cannot download its own browser here; CI installs the chromium package.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    public BrowserFixture()
    {
        Portal = new(PortalFactory.NewDataDirectory(), new Dictionary<string, string?>
        {
            ["Demo:OrdersPerSecond"] = "20",
            ["Sandbox:LatencyMs"] = "20",
            ["Sandbox:LatencyJitterMs"] = "20",
            // The incident test raises a real brown-out: judged every second, on a dozen orders. Demo slices
            // see far more than 8 orders in a window anyway, so this changes nothing for the other tests.
            ["Incidents:EvaluateEverySeconds"] = "1",
            ["Incidents:MinOrders"] = "8",
        }, ServerLog);
    }

    /// <summary>The server's warnings and errors; a test attaches its output to see them.</summary>
    public ServerLogRelay ServerLog { get; } = new();

    public PortalFactory Portal { get; }

    public IPlaywright Playwright { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public static string ScreenshotDirectory { get; } = Path.Combine(FindRepositoryRoot(), "artifacts", "screenshots");

    public async Task InitializeAsync()
    {
        Portal.StartServer();
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        });
        Directory.CreateDirectory(ScreenshotDirectory);
    }

    private readonly List<IBrowserContext> _contexts = [];

    /// <summary>
    /// A browser context that <see cref="CloseContextsAsync"/> closes when the test ends. Left open, every
    /// test's dashboard kept running, pushed to and re-rendered, until Chromium used a whole core and the
    /// later tests' pages took over 30 s to show.
    /// </summary>
    public async Task<IBrowserContext> NewContextAsync(BrowserNewContextOptions options)
    {
        var context = await Browser.NewContextAsync(options);
        _contexts.Add(context);
        return context;
    }

    /// <summary>Closes the contexts the current test opened (the tests of the collection run one at a time).</summary>
    public async Task CloseContextsAsync()
    {
        var open = _contexts.ToList();
        _contexts.Clear();
        foreach (var context in open)
        {
            try
            {
                await context.CloseAsync();
            }
            catch (PlaywrightException)
            {
                // Already gone with the browser: nothing left running.
            }
        }
    }

    /// <summary>A fresh browser context signed in through the login page.</summary>
    public async Task<IPage> SignedInPageAsync(string email, bool dark = false, int width = 1440, int height = 900)
    {
        var context = await NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Portal.RootUri.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            TimezoneId = "Asia/Dubai",
            ColorScheme = dark ? ColorScheme.Dark : ColorScheme.Light,
        });
        if (dark)
        {
            await context.AddInitScriptAsync("localStorage.setItem('micoportal.darkMode', 'true');");
        }

        var page = await context.NewPageAsync();
        await page.GotoAsync("/login");
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", PortalClient.Password);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(url => !url.Contains("/login", StringComparison.Ordinal));
        return page;
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        Playwright.Dispose();
        await Portal.DisposeAsync();
    }

    private static string FindRepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "MicoPortal.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? AppContext.BaseDirectory;
    }
}
