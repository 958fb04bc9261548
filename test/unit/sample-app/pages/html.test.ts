import { escapeHtml, html, SafeHtml } from '../../../../sample-app/pages/html';

describe('html template helper', () => {
  it.each([
    ['<script>', '&lt;script&gt;'],
    ['"quoted" & \'single\'', '&quot;quoted&quot; &amp; &#39;single&#39;'],
    ['plain text', 'plain text'],
    ['&amp;', '&amp;amp;'],
  ])('escapes %j', (text, escaped) => {
    expect(escapeHtml(text)).toBe(escaped);
    expect(html`<p>${text}</p>`.value).toBe(`<p>${escaped}</p>`);
  });

  it('inserts nested templates and arrays as they are, numbers as text, nothing for null and undefined', () => {
    const items = ['a<b', 'c'].map((item) => html`<li>${item}</li>`);
    expect(html`<ul>${items}</ul>${3}${null}${undefined}`.value).toBe('<ul><li>a&lt;b</li><li>c</li></ul>3');
  });

  it('trusts only SafeHtml, never a string that looks like markup', () => {
    expect(html`${new SafeHtml('<b>ok</b>')}${'<b>no</b>'}`.value).toBe('<b>ok</b>&lt;b&gt;no&lt;/b&gt;');
    expect(String(html`<i>${'x'}</i>`)).toBe('<i>x</i>');
  });
});
