using System.Text;
using ActorHttp.Protocol;
using ActorHttp.Tests.Support;
using Xunit;

namespace ActorHttp.Tests.Protocol;

/// <summary>The shared conformance cases (../shared/conformance/requests.jsonl), each given to the parser in one read.</summary>
public sealed class ParserConformanceTests
{
    // 501 and 405 come from the router (unknown or unrouted method), never from the parser, which must
    // hand such a request on intact.
    private static readonly int[] RouterStatuses = [501, 405];

    [Theory]
    [MemberData(nameof(SharedData.ConformanceCaseIds), MemberType = typeof(SharedData))]
    public void Conformance_case(string id)
    {
        var @case = SharedData.ConformanceCaseById(id);
        var driver = ParserDriver.ParseAll(@case.Raw);

        if (@case.IsServed)
        {
            Assert.Null(driver.Rejection);
            var request = Assert.Single(driver.Requests);
            Assert.Equal(@case.Method, request.Method);
            Assert.Equal(@case.Path, request.Path);
            Assert.Equal(@case.Query, request.Query);
            Assert.Equal(Encoding.Latin1.GetString(@case.Body!), Encoding.Latin1.GetString(request.Body.Span));
            if (@case.MustClose is { } mustClose)
            {
                Assert.Equal(!mustClose, request.KeepAlive);
            }

            return;
        }

        if (driver.Rejection is { } rejection)
        {
            Assert.Contains(rejection.StatusCode, @case.AllowedStatuses);
            return;
        }

        Assert.True(@case.AllowedStatuses.All(RouterStatuses.Contains), $"{id} was accepted but only the parser can refuse it");
        Assert.NotEmpty(driver.Requests);
    }
}
