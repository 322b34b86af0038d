# frozen_string_literal: true

# Mastodon's own status length count, run on texts: used by reference_counts.mjs.
#
# Loads the twitter-text 3.1.0 gem's Ruby sources (TWITTER_TEXT_RB/lib) and four files of a
# Mastodon checkout (MASTODON): config/initializers/twitter_regex.rb, app/lib/extractor.rb,
# app/models/account.rb (only its USERNAME_RE and MENTION_RE lines are evaluated) and
# app/validators/status_length_validator.rb, then asks StatusLengthValidator for the length
# of each text (no spoiler text). Rails is replaced by the few methods those files call
# (String#blank? and #present? as ActiveSupport defines them); the gem's native
# dependencies by pure Ruby: IDN's toASCII (libidn's IDNA 2003 steps, nameprep and RFC 3492
# punycode: twitter-text asks it for the encoded domain's length, and a failure makes the URL
# no URL) and UNF (String#unicode_normalize; Ruby's NFKC is Unicode 15.0's, nameprep's 3.2's:
# they differ only for the few decompositions corrected since).
#
# Input: $texts (an Array of String) and $nameprep (RFC 3454's tables: "b1" code points, "b2"
# {code point => string}, "prohibited", "unassigned", "randal" and "l" as [first, last] ranges)
# set by the caller; result: $counts, a JSON array of integers.

require 'json'
require 'English'

module IDN
  module Idna
    BASE = 36
    module_function

    def adapt(delta, points, first)
      delta = first ? delta / 700 : delta / 2
      delta += delta / points
      k = 0
      while delta > 455
        delta /= 35
        k += BASE
      end
      k + (36 * delta) / (delta + 38)
    end

    def digit(d) = (d < 26 ? 97 + d : 22 + d).chr

    def encode_label(label)
      cps = label.codepoints
      out = cps.select { |c| c < 0x80 }.map(&:chr).join
      handled = out.length
      basic = handled
      out << '-' if basic.positive?
      n, delta, bias = 0x80, 0, 72
      while handled < cps.length
        m = cps.select { |c| c >= n }.min
        delta += (m - n) * (handled + 1)
        n = m
        cps.each do |c|
          delta += 1 if c < n
          next unless c == n

          q = delta
          k = BASE
          loop do
            t = k <= bias ? 1 : (k >= bias + 26 ? 26 : k - bias)
            break if q < t

            out << digit(t + ((q - t) % (BASE - t)))
            q = (q - t) / (BASE - t)
            k += BASE
          end
          out << digit(q)
          bias = adapt(delta, handled + 1, handled == basic)
          delta = 0
          handled += 1
        end
        delta += 1
        n += 1
      end
      "xn--#{out}"
    end

    # libidn's idna_to_ascii_8z with no flags, as idn-ruby calls it: the domain split at the
    # four IDN dots (an empty last label is the root), each label nameprepped (RFC 3491) unless
    # it is ASCII, then punycode-encoded when it is not ASCII; 1 to 63 characters each.
    def toASCII(domain)
      labels = domain.split(/[.\u3002\uff0e\uff61]/, -1)
      labels.pop if labels.size > 1 && labels.last.empty?
      labels.map { |label| label_to_ascii(label) }.join('.')
    end

    def label_to_ascii(label)
      unless label.ascii_only?
        label = nameprep(label)
        raise ArgumentError, 'label too long' if label.length > 63
        unless label.ascii_only?
          raise ArgumentError, 'ACE prefix' if label.start_with?('xn--')

          label = encode_label(label)
        end
      end
      raise ArgumentError, 'label empty or too long' if label.empty? || label.length > 63

      label
    end

    # Nameprep with no unassigned code points (stringprep_nameprep_no_unassigned): B.1 dropped,
    # B.2 case folding, NFKC, then C.1.2-C.9 prohibited, the bidi rule and A.1 (unassigned in
    # Unicode 3.2) refused. The RFC 3454 tables are $nameprep, given by reference_counts.py.
    def nameprep(label)
      table = $nameprep
      mapped = label.each_char.map { |c| table['b1'].include?(c.ord) ? '' : table['b2'].fetch(c.ord.to_s, c) }.join
      out = mapped.unicode_normalize(:nfkc)
      cps = out.codepoints
      inside = ->(name, c) { table[name].any? { |first, last| c.between?(first, last) } }
      raise ArgumentError, 'prohibited' if cps.any? { |c| inside.('prohibited', c) || inside.('unassigned', c) }
      randal = cps.map { |c| inside.('randal', c) }
      raise ArgumentError, 'bidi' if randal.any? && (cps.any? { |c| inside.('l', c) } || !randal.first || !randal.last)

      out
    end
  end
end

module UNF
  class Normalizer
    def self.normalize(text, form) = text.unicode_normalize(form)
  end
end

module ActiveModel
  class Validator; end
end

class ApplicationRecord; end

class Object
  def blank? = respond_to?(:empty?) ? !!empty? : !self
  def present? = !blank?
end

class String
  def blank? = /\A[[:space:]]*\z/.match?(self)
end

module Kernel
  STUBBED = %w[idn unf].freeze
  alias_method :require_unstubbed, :require
  private def require(name) = STUBBED.include?(name) || require_unstubbed(name)
end

$LOAD_PATH.unshift(File.join(TWITTER_TEXT_RB, 'lib'))
require 'twitter-text'
load File.join(MASTODON, 'config/initializers/twitter_regex.rb')
account = File.read(File.join(MASTODON, 'app/models/account.rb'))
Account = Class.new(ApplicationRecord)
Account.class_eval(account.lines.grep(/^\s*(USERNAME_RE|MENTION_RE)\s*=/).join)
load File.join(MASTODON, 'app/lib/extractor.rb')
load File.join(MASTODON, 'app/validators/status_length_validator.rb')

validator = StatusLengthValidator.new
status = Struct.new(:text, :spoiler_text)
$counts = JSON.generate($texts.map { |text| validator.send(:countable_length, validator.send(:combined_text, status.new(text, ''))) })
