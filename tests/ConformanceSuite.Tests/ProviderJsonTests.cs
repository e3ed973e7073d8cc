using System.Text.Json;

namespace ConformanceSuite.Tests;

/// <summary>What the suite will not read as a provider's JSON, and why it says.</summary>
[TestFixture]
public sealed class ProviderJsonTests
{
    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    [TestCase("""{"a":"\ud800"}""", "the string at byte 5")]
    [TestCase("""{"a":"x\udc00y"}""", "the string at byte 5")]
    [TestCase("""{"a":["ok","\ud800\ud800\udc00"]}""", "the string at byte 11")]
    [TestCase("""{"\uDBFF":1}""", "the member name at byte 1")]
    public void Half_of_a_surrogate_pair_makes_a_body_unreadable_and_says_where(string json, string where)
    {
        var because = $"{where} escapes half of a UTF-16 surrogate pair, which is not Unicode text (RFC 8259 section 8.2)";

        FluentActions.Invoking(() => ProviderJson.Parse(Utf8(json))).Should().Throw<JsonException>().WithMessage(because);
        FluentActions.Invoking(() => ProviderJson.Document(Utf8(json))).Should().Throw<JsonException>().WithMessage(because);
        ProviderJson.Reason(Utf8(json)).Should().Be(because);
    }

    [TestCase("""{"a":"\ud83d\ude00","b":"\\ud800","c":"\u00e9"}""")]
    [TestCase("""{"\ud83d\ude00":"\uD83D\uDE00"}""")]
    [TestCase("""{"a":"no escapes at all"}""")]
    public void A_whole_pair_an_escaped_backslash_and_other_escapes_are_read(string json)
    {
        ProviderJson.Reason(Utf8(json)).Should().BeNull();
        using var document = ProviderJson.Document(Utf8(json));
        ProviderJson.Parse(Utf8(json)).Should().NotBeNull();
    }

    [Test]
    public void Bytes_that_are_not_utf8_make_a_body_unreadable_though_the_parser_takes_them()
    {
        // Half a surrogate pair written out (ED A0 80), and a lone continuation byte: the parser takes both in a string.
        byte[] half = [.. "{\"a\":\""u8, 0xED, 0xA0, 0x80, .. "\"}"u8];
        byte[] stray = [.. "{\"ab\":\"x"u8, 0x80, .. "\"}"u8];
        using (JsonDocument.Parse(half))
        {
        }

        ProviderJson.Reason(half).Should().Be("the bytes at 6 are not UTF-8, which RFC 8259 section 8.1 requires of JSON");
        ProviderJson.Reason(stray).Should().Be("the bytes at 8 are not UTF-8, which RFC 8259 section 8.1 requires of JSON");
        FluentActions.Invoking(() => ProviderJson.Parse(half)).Should().Throw<JsonException>();
        FluentActions.Invoking(() => ProviderJson.Document(stray)).Should().Throw<JsonException>();
    }
}
