using Switch.Billers.Catalog;

namespace Switch.Billers.Tests.Catalog;

public class ArabicTextTests
{
    [Theory]
    [InlineData("فاتورة", "فاتوره")]
    [InlineData("أحمد", "احمد")]
    [InlineData("إسكان", "اسكان")]
    [InlineData("آمال", "امال")]
    [InlineData("مستشفى", "مستشفي")]
    [InlineData("مُحَمَّد", "محمد")]
    [InlineData("كهربـــاء", "كهرباء")]
    [InlineData("رسوم ٢٠٢٦", "رسوم 2026")]
    [InlineData("رسوم ۲۰۲۶", "رسوم 2026")]
    [InlineData("  National   WATER-Company ", "national water company")]
    [InlineData("مسؤول", "مسوول")]
    public void Folds_letter_forms_marks_digits_and_case(string text, string expected) =>
        Assert.Equal(expected, ArabicText.Normalize(text));

    [Fact]
    public void Both_spellings_of_a_word_meet() =>
        Assert.Equal(ArabicText.Normalize("فاتوره الكهرباء"), ArabicText.Normalize("فاتورة الكَهرباء"));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("ـــ ً ")]
    public void Nothing_searchable_is_empty(string? text) => Assert.Equal("", ArabicText.Normalize(text));
}
