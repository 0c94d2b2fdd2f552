using ActorHttp.Hosting;
using Microsoft.Playwright;
using Serilog;

namespace ActorHttp.Browser.Tests;

/// <summary>
/// The demo server as a default run serves it (the bundled <c>www/</c> site and demo routes) on an
/// ephemeral port of 127.0.0.1, and Debian's headless chromium driven by Playwright. Never a
/// downloaded browser: <c>scripts/install-test-deps</c> installs <c>/usr/bin/chromium</c>.
/// </summary>
public sealed class DemoSiteFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private readonly string _uploads = Path.Combine(Path.GetTempPath(), "actorhttp-browser-tests-" + Guid.NewGuid().ToString("N"));
    private IPlaywright? _playwright;

    public ActorHttpServer Server { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public string BaseUrl => $"http://127.0.0.1:{Server.Endpoint.Port}";

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} is missing: run scripts/install-test-deps (CI does).");
        }

        Server = await ActorHttpServer.StartAsync(new ServerOptions
        {
            Host = "127.0.0.1",
            Port = 0,
            DemoRoutes = true,
            StaticRoot = Path.Combine(RepositoryRoot(), "www"),
            ConfigOverrides = $"actorhttp.uploads.folder = \"{_uploads}\"",
            Logger = new LoggerConfiguration().MinimumLevel.Fatal().CreateLogger(),
        });
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            // Sandboxing needs privileges CI lacks; the rest keeps chromium off the (closed) network.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }

        if (Directory.Exists(_uploads))
        {
            Directory.Delete(_uploads, recursive: true);
        }
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "ActorHttp.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("ActorHttp.sln not found above " + AppContext.BaseDirectory);
    }
}
