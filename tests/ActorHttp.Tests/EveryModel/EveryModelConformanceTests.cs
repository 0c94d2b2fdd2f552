using System.Text.Json;
using ActorHttp.Tests.Support;

namespace ActorHttp.Tests.EveryModel;

/// <summary>
/// Every case of <c>shared/conformance/requests.jsonl</c> against every concurrency model, as raw
/// bytes in one write: the status must be one the case allows, the connection must close or stay
/// open as the case says, and served requests must echo what a strict parser sees. The protocol is
/// one piece of code (the connection core), so any difference here is a host's bug.
/// </summary>
[Collection(EveryModelCollection.Name)]
public sealed class EveryModelConformanceTests(EveryModelFixture servers)
{
    public static IEnumerable<object[]> Cases() =>
        from model in EveryModelFixture.Models
        from testCase in SharedData.ConformanceCaseIds()
        select new object[] { model, testCase[0] };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Case_behaves_as_the_rfc_requires(string model, string id)
    {
        var testCase = SharedData.ConformanceCaseById(id);
        await using var client = await RawHttpClient.ConnectAsync(servers[model].Endpoint);
        await client.SendAsync(testCase.Raw);

        var response = await client.ReadResponseAsync();

        Assert.Contains(response.Status, testCase.AllowedStatuses);
        if (testCase.IsServed)
        {
            using var echo = JsonDocument.Parse(response.Body);
            var root = echo.RootElement;
            Assert.Equal(testCase.Method, root.GetProperty("method").GetString());
            Assert.Equal(testCase.Path, root.GetProperty("path").GetString());
            Assert.Equal(testCase.Query, root.GetProperty("query").GetString());
            Assert.Equal(testCase.Body, root.GetProperty("body_base64").GetBytesFromBase64());
        }

        if (testCase.MustClose == true)
        {
            Assert.True(await client.IsClosedByServerAsync(), $"{model}, {id}: the server must close the connection");
        }
        else if (testCase.MustClose == false)
        {
            Assert.False(response.SaysClose, $"{model}, {id}: the response must not announce a close");
            await client.SendAsync("GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n");
            var next = await client.ReadResponseAsync();
            Assert.Equal(200, next.Status);
            Assert.Equal("Hello, World!", next.BodyText);
        }
    }
}
