using Switch.Host.Iso;

namespace Switch.Host.Tests.Iso;

public class IsoResponsesTests
{
    [Theory]
    [InlineData(100, "0110")]
    [InlineData(200, "0210")]
    [InlineData(420, "0430")]
    [InlineData(421, "0430")]
    [InlineData(800, "0810")]
    public void Response_mti_follows_the_request(int request, string response) =>
        Assert.Equal(response, IsoResponses.ResponseMti(request));

    [Theory]
    [InlineData(100, true)]
    [InlineData(421, true)]
    [InlineData(820, true)]
    [InlineData(110, false)]
    [InlineData(430, false)]
    [InlineData(810, false)]
    public void Requests_and_advices_expect_an_answer(int mti, bool isRequest) =>
        Assert.Equal(isRequest, IsoResponses.IsRequest(mti));

    [Fact]
    public void Format_error_carries_field_39_only()
    {
        var response = IsoResponses.FormatError(200);

        Assert.Equal("0210", response.Mti);
        Assert.Equal([39], response.Fields);
        Assert.Equal("30", response.GetString(39));
    }
}
