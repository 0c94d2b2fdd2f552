using ActorHttp.Protocol;
using Xunit;

namespace ActorHttp.Tests.Protocol;

public class QueryValuesTests
{
    private static HttpRequest Request(string query) => new()
    {
        Method = "GET",
        Target = "/q?" + query,
        Path = "/q",
        Query = query,
        Version = HttpVersion.Http11,
        Headers = HttpHeaders.Empty,
        KeepAlive = true,
    };

    [Fact]
    public void Repeated_names_keep_every_value_in_order_and_names_are_case_insensitive()
    {
        var values = Request("tag=a&Tag=b&TAG=c&one=1").QueryValues;

        Assert.Equal(3, values["tag"].Count);
        Assert.Equal("a,b,c", values["tag"].ToString());
        Assert.Equal("1", values["ONE"].ToString());
    }

    [Fact]
    public void Values_are_percent_decoded_and_plus_is_a_space()
    {
        var values = Request("q=caf%C3%A9+au%20lait&sym=%26%3D&odd=%zz").QueryValues;

        Assert.Equal("café au lait", values["q"].ToString());
        Assert.Equal("&=", values["sym"].ToString());
        Assert.Equal("%zz", values["odd"].ToString());
    }

    [Fact]
    public void An_empty_query_has_no_values()
    {
        Assert.Empty(Request(string.Empty).QueryValues);
    }

    [Fact]
    public void A_copy_with_another_query_is_parsed_again_and_records_still_compare_by_their_fields()
    {
        var original = Request("a=1");
        Assert.Equal("1", original.QueryValues["a"].ToString());

        var copy = original with { Query = "a=2" };

        Assert.Equal("2", copy.QueryValues["a"].ToString());
        Assert.Equal("1", original.QueryValues["a"].ToString());
        Assert.Equal(Request("a=1"), original);
    }
}
