using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Playwright;

namespace ActorHttp.Browser.Tests;

/// <summary>The demo site in a real browser: what a visitor sees and does, end to end.</summary>
public sealed class DemoSiteTests(DemoSiteFixture site) : IClassFixture<DemoSiteFixture>
{
    private const float Timeout = 15_000;

    [Fact]
    public async Task The_home_page_loads_with_its_stylesheet_script_and_logo()
    {
        await using var context = await site.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        // Filled from Playwright's event dispatch while the test reads it.
        var assets = new ConcurrentDictionary<string, int>();
        page.Response += (_, response) => assets[new Uri(response.Url).AbsolutePath] = response.Status;

        var response = await page.GotoAsync(site.BaseUrl + "/", new() { Timeout = Timeout });

        Assert.Equal(200, response!.Status);
        Assert.Equal("ActorHttp: a tour of the status codes", await page.TitleAsync());
        Assert.Equal("ActorHttp", await page.TextContentAsync("h1"));
        // The stylesheet's button border color (--accent, #2f6fde) is applied.
        Assert.Equal("rgb(47, 111, 222)", await page.EvalOnSelectorAsync<string>("button", "b => getComputedStyle(b).borderTopColor"));
        Assert.True(await page.EvalOnSelectorAsync<int>("header img", "img => img.complete ? img.naturalWidth : 0") > 0);
        // The script ran and fetched /json.
        await Assertions.Expect(page.Locator("#json-message")).ToHaveTextAsync("Hello, World!", new() { Timeout = Timeout });
        Assert.Equal(200, assets["/style.css"]);
        Assert.Equal(200, assets["/app.js"]);
        Assert.Equal(200, assets["/logo.svg"]);
        Assert.Equal(200, assets["/json"]);
    }

    [Theory]
    [InlineData("/old", 301)]
    [InlineData("/temporary", 302)]
    public async Task A_redirect_is_followed_to_the_home_page(string path, int status)
    {
        await using var context = await site.Browser.NewContextAsync();
        var page = await context.NewPageAsync();

        var response = await page.GotoAsync(site.BaseUrl + path, new() { Timeout = Timeout });

        Assert.Equal(site.BaseUrl + "/", page.Url);
        Assert.Equal(200, response!.Status);
        var redirect = await response.Request.RedirectedFrom!.ResponseAsync();
        Assert.Equal((status, "/"), (redirect!.Status, redirect.Headers["location"]));
    }

    [Fact]
    public async Task The_private_page_is_refused_without_credentials_and_served_to_demo()
    {
        await using var anonymous = await site.Browser.NewContextAsync();
        var refusedPage = await anonymous.NewPageAsync();
        var challenge = new TaskCompletionSource<IResponse>();
        refusedPage.Response += (_, response) => challenge.TrySetResult(response);

        // With no credentials to offer, chromium gives up on the challenge and the navigation fails.
        var navigation = await Assert.ThrowsAsync<PlaywrightException>(() => refusedPage.GotoAsync(site.BaseUrl + "/private/", new() { Timeout = Timeout }));
        var refused = await challenge.Task.WaitAsync(TimeSpan.FromSeconds(15));

        Assert.Contains("ERR_INVALID_AUTH_CREDENTIALS", navigation.Message);
        Assert.Equal(401, refused.Status);
        Assert.Contains("Basic realm=", (await refused.AllHeadersAsync())["www-authenticate"]);

        await using var demo = await site.Browser.NewContextAsync(new() { HttpCredentials = new() { Username = "demo", Password = "demo" } });
        var page = await demo.NewPageAsync();
        Assert.Equal(200, (await page.GotoAsync(site.BaseUrl + "/private/", new() { Timeout = Timeout }))!.Status);
        Assert.Equal(403, (await page.GotoAsync(site.BaseUrl + "/private/admin", new() { Timeout = Timeout }))!.Status);
    }

    [Fact]
    public async Task The_upload_form_posts_a_file_and_shows_its_size_and_sha256()
    {
        var file = Path.Combine(Path.GetTempPath(), $"actorhttp-upload-{Guid.NewGuid():N}.bin");
        var content = RandomNumberGenerator.GetBytes(200 * 1024);
        await File.WriteAllBytesAsync(file, content);
        try
        {
            await using var context = await site.Browser.NewContextAsync();
            var page = await context.NewPageAsync();
            await page.GotoAsync(site.BaseUrl + "/", new() { Timeout = Timeout });

            await page.SetInputFilesAsync("#upload-file", file);
            await page.ClickAsync("#upload-form button[type=submit]");

            var expected = $"201 Created: {content.Length} bytes, sha256 {Convert.ToHexStringLower(SHA256.HashData(content))}";
            await Assertions.Expect(page.Locator("#upload-result")).ToHaveTextAsync(expected, new() { Timeout = Timeout });
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task The_status_tour_buttons_show_what_the_server_answered()
    {
        await using var context = await site.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.BaseUrl + "/", new() { Timeout = Timeout });

        // Each status button with the status it must show.
        (string Try, string Status)[] expectations =
        [
            ("ok", "200"), ("created", "201"), ("no-content", "204"), ("partial", "206"), ("not-modified", "304"),
            ("bad-request", "400"), ("unauthorized", "401"), ("forbidden", "403"), ("not-found", "404"), ("method", "405"),
            ("too-large", "413"), ("media-type", "415"), ("too-many", "429"), ("crash", "500"), ("bad-gateway", "502"), ("gateway-timeout", "504"),
            ("unavailable", "503"),
        ];
        foreach (var (name, status) in expectations)
        {
            var row = page.Locator("tr").Filter(new() { Has = page.Locator($"button[data-try='{name}']") });
            await row.Locator("button").ClickAsync();
            await Assertions.Expect(row.Locator("output")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex($"^{status} "), new() { Timeout = Timeout });
        }
    }
}
